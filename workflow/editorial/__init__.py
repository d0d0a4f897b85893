"""editorial"""
